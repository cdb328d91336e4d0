// Counts from 0, and n % 0 is a division by zero.
#include <stdio.h>

int main(void) {
    volatile long long n;
    scanf("%lld", (long long *)&n);
    for (long long a = 0; a * a <= n; a++)
        if (n % a == 0 && a > 1) { printf("%lld %lld\n", a, n / a); return 0; }
    return 0;
}
