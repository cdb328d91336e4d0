// ES modules (.mjs): main.mjs is the entry by its name, and imports the adding from sum.mjs.
import { readFileSync } from 'node:fs';
import { sumOf } from './sum.mjs';

const [count, ...values] = readFileSync(0, 'utf8').trim().split(/\s+/).map(BigInt);
console.log(sumOf(values.slice(0, Number(count))).toString());
