// Brings a row of another screen into view and puts the keyboard on what acts on it: an alert
// names the obligation or escalation step it is about, the screen renders it once its data has
// loaded, and this waits for that (rows are found by their `data-testid`, which every screen
// already gives them for its tests and for this).

const POLL_MS = 50;

/** Scrolls the element with this test id into view, focuses its first control (or the element
 * itself) and marks it `data-revealed` for a moment. False if it never appeared. */
export async function reveal(testId: string, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const el = document.querySelector<HTMLElement>(`[data-testid="${CSS.escape(testId)}"]`);
    if (el) {
      el.scrollIntoView?.({ block: 'center' });
      const control = el.querySelector<HTMLElement>(
        'button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled)',
      );
      if (!control && !el.hasAttribute('tabindex')) el.tabIndex = -1;
      (control ?? el).focus({ preventScroll: true });
      el.dataset.revealed = '';
      setTimeout(() => delete el.dataset.revealed, 3000);
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
