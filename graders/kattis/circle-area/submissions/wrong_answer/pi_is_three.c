#include <stdio.h>

int main(void) {
    int n;
    scanf("%d", &n);
    for (int i = 0; i < n; i++) {
        double r;
        scanf("%lf", &r);
        printf("%.6f\n", 3.0 * r * r);
    }
    return 0;
}
