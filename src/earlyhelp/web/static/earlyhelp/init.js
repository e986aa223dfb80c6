// Start GOV.UK Frontend's components. Loaded as a module by web/base.html (no inline
// code, so the content security policy needs nothing beyond 'self').
import { initAll } from "./build/govuk-frontend.min.js";

initAll();

// Long lists (organisations, practitioners: selects marked by earlyhelp.ui.forms.long_list) become GOV.UK's
// accessible autocomplete, so typing part of a name finds it. Its script and styles load only on pages that have
// one; without script the select still works.
const longLists = document.querySelectorAll('select[data-module="eh-autocomplete"]');
if (longLists.length) {
  const build = new URL("./build/", import.meta.url);
  const styles = document.createElement("link");
  styles.rel = "stylesheet";
  styles.href = new URL("accessible-autocomplete.min.css", build).href;
  document.head.append(styles);
  const script = document.createElement("script");
  script.src = new URL("accessible-autocomplete.min.js", build).href;
  script.addEventListener("load", () => {
    for (const select of longLists) {
      window.accessibleAutocomplete.enhanceSelectElement({
        selectElement: select,
        defaultValue: "",
        showAllValues: true,
      });
    }
  });
  document.head.append(script);
}
