// CommonJS (.cjs) files, neither called main: the student names app.cjs as the entry.
const { total } = require('./numbers.cjs');

console.log(total(require('node:fs').readFileSync(0, 'utf8')).toString());
