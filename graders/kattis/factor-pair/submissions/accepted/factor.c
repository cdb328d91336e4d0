#include <stdio.h>

int main(void) {
    long long n;
    scanf("%lld", &n);
    for (long long a = 2; a * a <= n; a++)
        if (n % a == 0) return printf("%lld\n%lld\n", n / a, a) < 0;
    return 1;
}
