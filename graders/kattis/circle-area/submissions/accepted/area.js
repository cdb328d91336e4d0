// Scientific notation for large areas is a valid way to write a number.
const words = require('fs').readFileSync(0, 'utf8').split(/\s+/).filter(Boolean);
const n = Number(words[0]);
const out = [];
for (let i = 1; i <= n; i++) out.push((Math.PI * Number(words[i]) ** 2).toExponential(12));
console.log(out.join('\n'));
