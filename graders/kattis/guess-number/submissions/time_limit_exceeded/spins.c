// Reads n, then thinks forever without saying anything.
#include <stdio.h>

int main(void) {
    long long n;
    scanf("%lld", &n);
    for (volatile unsigned long long i = 0;; i++) {}
}
