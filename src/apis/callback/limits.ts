/** Apart from the parser, so the route table can name the body limit without loading it. */

/** WeChat's pushes are a few KiB; the largest (mass-send results with copyright checks) stay well below this. */
export const MAX_XML_BYTES = 64 * 1024;
