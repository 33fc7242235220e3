/** The badge class of a clinical criticality slug: how loud the board shows it. */
export const criticalityClass = (c: string): string =>
  c === 'life-critical' ? 'danger' : c === 'high' ? 'warn' : '';
