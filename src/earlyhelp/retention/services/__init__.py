"""Every change to retention (P4, P20), by topic:

- `rules`: adding and changing the retention rules;
- `holds`: placing and lifting legal holds, and the question every disposal asks (which families are held?);
- `sweep`: the sweep that lists the families each rule makes due, as batches for a person to decide;
- `disposal`: deciding on a batch, and carrying it out, with a certificate;
- `erasure`: the engine that removes personal data, for an approved erasure (from `rights`) and for disposal.

Which families a rule makes due is a read (`retention.selectors`); the preset rules are data (`retention.presets`).
"""
