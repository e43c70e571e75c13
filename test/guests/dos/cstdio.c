// build: bcc -Md -o cstdio.com cstdio.c
/*
 * A C program (bcc's DOS runtime) on DOSKRNL: its command line, stdio on a file (fopen, fprintf, fgets,
 * fclose), and its return code. Prints what it read; returns 5. For test/unit/cli-run.test.ts.
 */
#include <stdio.h>

int main(argc, argv)
int argc;
char **argv;
{
  FILE *f;
  char buf[64];
  int i;
  printf("argc=%d argv1=%s\n", argc, argc > 1 ? argv[1] : "-");
  f = fopen("CSTDIO.TXT", "w");
  if (!f) {
    printf("fopen for writing failed\n");
    return 2;
  }
  for (i = 0; i < 3; i++) fprintf(f, "line %d\n", i);
  fclose(f);
  f = fopen("CSTDIO.TXT", "r");
  if (!f) {
    printf("fopen for reading failed\n");
    return 3;
  }
  while (fgets(buf, sizeof buf, f)) printf("read: %s", buf);
  fclose(f);
  return 5;
}
