/**
 * The oldest Node the function runs on (package.json engines; the deploy bundle is built for it).
 * An older runtime would fail somewhere inside the bundle with a message that does not say why.
 */
export const MIN_NODE_MAJOR = 20;

/** The refusal for `version` (as in process.versions.node), or undefined when it is new enough. */
export function oldNodeMessage(version: string): string | undefined {
  const major = Number.parseInt(version, 10);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return `offiaccount-common: needs Node.js ${MIN_NODE_MAJOR} or later, found v${version}; choose a Nodejs${MIN_NODE_MAJOR} or later runtime`;
}
