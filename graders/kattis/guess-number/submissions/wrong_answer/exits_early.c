// One guess, then it leaves without waiting for the answer.
#include <stdio.h>

int main(void) {
    long long n;
    scanf("%lld", &n);
    printf("1\n");
    return 0;
}
