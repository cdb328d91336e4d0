const words = require('node:fs').readFileSync(0, 'utf8').trim().split(/\s+/).map(Number);
console.log(words.slice(1).reduce((a, b) => a + b, 0) + 1);
