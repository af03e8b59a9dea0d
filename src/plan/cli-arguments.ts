/** A command line that cannot be run (exit status 2, with the usage). */
export class UsageError extends Error {}

/**
 * The positional arguments of a command line. Each `--flag` or `--flag=value` goes to `option`,
 * whose `value()` reads the flag's value (after `=`, else the next argument; a missing or empty one
 * is a usage error); an option it does not take (returns false) is a usage error.
 */
export function readArguments(argv: string[], option: (flag: string, value: () => string) => boolean): string[] {
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s) : [argv[i]];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (!flag.startsWith('-')) paths.push(flag);
    else if (!option(flag, value)) throw new UsageError(`unknown option ${flag}`);
  }
  return paths;
}
