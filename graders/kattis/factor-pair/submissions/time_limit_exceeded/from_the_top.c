// Looks for the largest factor below n by counting down: fine for small n, hopeless for 10^12.
#include <stdio.h>

int main(void) {
    long long n;
    scanf("%lld", &n);
    for (long long a = n - 1; a > 1; a--)
        if (n % a == 0) { printf("%lld %lld\n", a, n / a); return 0; }
    return 0;
}
