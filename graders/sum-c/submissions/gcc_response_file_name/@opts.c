/* any text: only the name matters */
