// CommonJS: main.js is the entry by its name and requires the adding from sum.js.
const { readFileSync } = require('node:fs');
const { sumOf } = require('./sum.js');

const [count, ...values] = readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(sumOf(values.slice(0, Number(count))).toString());
