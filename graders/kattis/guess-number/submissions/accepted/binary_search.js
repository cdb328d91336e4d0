// Reads the answers as lines arrive: the interactor waits for each guess before it answers.
const readline = require('readline');

const lines = readline.createInterface({ input: process.stdin });
let low = 1;
let high = 0;
let guess = 0;
const ask = () => {
  guess = Math.floor((low + high) / 2);
  process.stdout.write(`${guess}\n`);
};
lines.on('line', (line) => {
  if (high === 0) {
    high = Number(line);
    ask();
  } else if (line === 'correct') {
    lines.close();
  } else {
    if (line === 'higher') low = guess + 1; else high = guess - 1;
    ask();
  }
});
