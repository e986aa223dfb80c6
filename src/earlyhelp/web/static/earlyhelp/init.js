// Start GOV.UK Frontend's components. Loaded as a module by web/base.html (no inline
// code, so the content security policy needs nothing beyond 'self').
import { initAll } from "./build/govuk-frontend.min.js";

initAll();
