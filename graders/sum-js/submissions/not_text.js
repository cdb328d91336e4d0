console.log("Ã( is an invalid UTF-8 sequence");
