// main.js alone would pass every test; draft.js, which it never loads, does not parse. Judges
// check every file of a submission, and so does the build: a compile error.
const words = require('node:fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(words.slice(1).reduce((a, b) => a + b, 0n).toString());
