// `node tests/chromium/src/warm.ts`: start chromium once the way the tests do, render a page, say how
// long it took. bootstrap.sh runs it so that a first start's one-off costs are paid (and a browser
// that cannot start is reported) before the test run, not inside a test's deadline.
import { startChromium } from "./index.ts";

const started = performance.now();
// A start that succeeds but then never renders must not hang the bootstrap either.
const deadline = setTimeout(() => {
  console.error("chromium: started but rendered nothing in 150 s; the browser tests will time out here.");
  process.exit(1);
}, 150_000);
deadline.unref();
try {
  const chromium = await startChromium({ timeoutMs: 90_000, attempts: 1 });
  try {
    const page = await chromium.browser.newPage();
    await page.goto("data:text/html,<p id=ok>rendered</p>");
    const text = await page.textContent("#ok");
    if (text !== "rendered") throw new Error(`the page rendered ${JSON.stringify(text)}`);
  } finally {
    await chromium.close();
  }
  console.error(
    `chromium: started and rendered a page in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  console.error(`chromium: cannot run the browser tests here.\n${(error as Error).message}`);
  process.exitCode = 1;
}
