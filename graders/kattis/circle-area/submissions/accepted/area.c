#include <math.h>
#include <stdio.h>

int main(void) {
    int n;
    if (scanf("%d", &n) != 1) return 1;
    for (int i = 0; i < n; i++) {
        double r;
        scanf("%lf", &r);
        printf("%.9f\n", M_PI * r * r);
    }
    return 0;
}
