// ES modules in .js files, as package.json's "type": "module" says. Neither file is called main:
// the student names solve.js as the entry when submitting.
import { readNumbers } from './read-input.js';

const [count, ...values] = readNumbers();
let total = 0n;
for (const value of values.slice(0, Number(count))) total += value;
console.log(total.toString());
