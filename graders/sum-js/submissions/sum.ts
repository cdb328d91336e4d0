// TypeScript is not JavaScript: node does not run it as it is.
const words: bigint[] = require('node:fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(words.slice(1).reduce((a: bigint, b: bigint) => a + b, 0n).toString());
