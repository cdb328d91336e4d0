module.exports.sumOf = (values) => values.reduce((total, value) => total + value, 0n);
