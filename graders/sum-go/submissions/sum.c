/* C sent to a Go assignment. */
#include <stdio.h>
int main(void) {
  int n;
  long long sum = 0, x;
  if (scanf("%d", &n) != 1) return 1;
  for (int i = 0; i < n; i++) { scanf("%lld", &x); sum += x; }
  printf("%lld\n", sum);
  return 0;
}
