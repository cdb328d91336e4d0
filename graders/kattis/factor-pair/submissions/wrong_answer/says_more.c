// The right pair, then a word too many.
#include <stdio.h>

int main(void) {
    long long n;
    scanf("%lld", &n);
    for (long long a = 2; a * a <= n; a++)
        if (n % a == 0) { printf("%lld %lld done\n", a, n / a); return 0; }
    return 0;
}
