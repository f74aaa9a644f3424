/* eslint-disable no-control-regex -- matching control characters is the point of this file */

// Terminal colour and cursor sequences (CSI) and window-title/hyperlink sequences (OSC): an engine
// run without -no-color, or a provider that prints its own, would otherwise leave `[31m` litter.
const csi = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const osc = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
// Other C0 and C1 controls, except tab and line feed, which text keeps.
const controls = /[\u0000-\u0008\u000b-\u000c\u000e-\u001f\u007f-\u009f]/g;
// Bidirectional overrides and isolates can make a line read differently from what it says
// ("Trojan Source", CVE-2021-42574); a plan a reviewer approves must read as what it is. They are
// shown as U+FFFD instead of silently dropped so that their presence is visible.
const bidi = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from an engine or a pull request made safe to show: line breaks normalised to `\n`,
 * terminal escape sequences and control characters removed, bidi controls made visible.
 */
export function sanitizeText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(csi, "")
    .replace(osc, "")
    .replace(controls, "")
    .replace(bidi, "\ufffd");
}
