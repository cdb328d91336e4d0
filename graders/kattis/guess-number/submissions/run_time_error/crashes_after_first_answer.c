// Guesses the middle, reads the answer, then dereferences a null pointer.
#include <stdio.h>

int main(void) {
    long long n;
    char answer[32];
    scanf("%lld", &n);
    printf("%lld\n", (n + 1) / 2);
    fflush(stdout);
    scanf("%31s", answer);
    volatile int *nowhere = NULL;
    return *nowhere;
}
