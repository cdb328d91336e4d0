// Writes to its standard error without end.
#include <stdio.h>
#include <string.h>

int main(void) {
    char line[4096];
    memset(line, 'e', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    for (;;) fprintf(stderr, "%s\n", line);
}
