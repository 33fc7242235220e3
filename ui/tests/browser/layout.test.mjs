// Every screen with the demo incident open, at the smallest supported window (1024×700) and a
// laptop's (1366×860): nothing scrolls sideways, the alert area leaves the work area in view (the
// first timeline rows are visible), no text is under 13 px, and the dark theme passes WCAG AA
// contrast (axe-core's color-contrast rule, run in the page).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { useBrowser, withApp } from './helpers.mjs';

useBrowser();

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SCREENS = ['incidents', 'timeline', 'roster', 'prompts', 'decisions', 'breach', 'systems'];
const SIZES = [
  { width: 1024, height: 700 },
  { width: 1366, height: 860 },
];

/** @param {import('playwright-core').Page} page */
async function openDemo(page, invoke) {
  await invoke('load_demo', {});
  await page.reload();
  await page.getByTestId('timeline-row').first().waitFor();
  await page.getByTestId('alert-area').waitFor();
}

/** Text under 13 px that someone could see: elements with their own visible text. */
function smallText() {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
    if (!own) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === 'hidden' || box.width === 0 || box.height === 0) continue;
    const px = parseFloat(style.fontSize);
    if (px < 13)
      out.push(`${el.tagName.toLowerCase()}.${el.className} ${px}px: ${el.textContent.trim().slice(0, 40)}`);
  }
  return out;
}

for (const size of SIZES) {
  test(
    `at ${size.width}×${size.height} with the demo open: no screen scrolls sideways, the timeline's first rows are in view, no text under 13 px`,
    withApp({ operator: 'Dr. Luis Reyes', viewport: size }, async ({ page, byTestId, invoke }) => {
      await openDemo(page, invoke);

      // The work area starts within the top quarter; the alert area takes at most ~15%.
      const top = await page.evaluate(() => ({
        main: document.querySelector('main')?.getBoundingClientRect().top ?? Infinity,
        alerts: document.querySelector('[data-testid=alert-area]')?.getBoundingClientRect().height ?? 0,
        rows: [...document.querySelectorAll('[data-testid=timeline-row]')]
          .slice(0, 3)
          .map((r) => r.getBoundingClientRect().bottom),
      }));
      assert.ok(top.alerts <= size.height * 0.15 + 1, `alert area ${top.alerts} px of ${size.height}`);
      assert.ok(top.main <= size.height * 0.3, `work area starts ${top.main} px down`);
      assert.equal(top.rows.length, 3);
      for (const bottom of top.rows) assert.ok(bottom <= size.height, `a first row ends at ${bottom} px`);

      for (const screen of SCREENS) {
        await byTestId(`nav-${screen}`).click();
        await page.waitForTimeout(300);
        const { scrollWidth, innerWidth } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
        }));
        assert.ok(scrollWidth <= innerWidth, `${screen} scrolls sideways: ${scrollWidth} > ${innerWidth}`);
        assert.deepEqual(await page.evaluate(smallText), [], `${screen}: text under 13 px`);
      }
    }),
  );
}

test(
  'every screen with the demo open passes WCAG AA contrast in the dark theme (axe-core)',
  withApp({ operator: 'Dr. Luis Reyes', viewport: SIZES[1] }, async ({ page, byTestId, invoke }) => {
    await openDemo(page, invoke);
    await page.addScriptTag({ path: AXE });
    for (const screen of [...SCREENS, 'wallboard']) {
      if (screen === 'wallboard') await page.keyboard.press('w');
      else await byTestId(`nav-${screen}`).click();
      await page.waitForTimeout(300);
      const violations = await page.evaluate(async () => {
        // @ts-expect-error axe is injected above
        const result = await window.axe.run(document, { runOnly: ['color-contrast'] });
        return result.violations.flatMap((v) =>
          v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`),
        );
      });
      assert.deepEqual(violations, [], `${screen}: contrast below WCAG AA`);
    }
  }),
);
