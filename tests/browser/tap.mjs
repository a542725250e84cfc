// What every browser script shares: TAP output and the system Chromium,
// launched the same way (no sandbox as root, nothing fetched in the
// background).
import { chromium } from 'playwright-core';

let n = 0, failed = 0;

export const ok = (cond, what, diag) => {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!cond && diag) console.log(String(diag).split('\n').map((l) => `# ${l}`).join('\n'));
};

export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  timeout: 60000,
});

// Prints the plan and exits with the scripts' status.
export const done = () => {
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
};
