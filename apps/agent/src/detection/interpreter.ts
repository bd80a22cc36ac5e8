import * as path from 'path';

export type InterpreterKind = 'shell' | 'python' | 'node' | 'perl' | 'ruby' | 'php' | 'loader';

interface Grammar {
  /** Options that mean "the code is inline or on stdin": no file runs. */
  inline: RegExp;
  /** Options that consume the next argument (`-W ignore`, `-r module`). */
  takesValue: RegExp;
}

const GRAMMARS: Record<InterpreterKind, Grammar> = {
  shell: { inline: /^-[a-z]*[cs][a-z]*$/i, takesValue: /^([-+]o|--rcfile|--init-file)$/ },
  python: { inline: /^-(c|m|)$/, takesValue: /^-[WXQ]$/ },
  node: {
    inline: /^(-e|--eval|-p|--print|-i|--interactive|-)$/,
    takesValue:
      /^(-r|--require|--import|--loader|--experimental-loader|--conditions|-C|--input-type)$/,
  },
  perl: { inline: /^-[a-zA-Z]*[eE]$|^-$/, takesValue: /^-[IMmx]$/ },
  ruby: { inline: /^-[a-zA-Z]*e$|^-$/, takesValue: /^-[Ir]$/ },
  php: { inline: /^-[rR]$|^-$/, takesValue: /^-[cdz]$/ },
  loader: {
    inline: /^--(list|verify|help|version)$/,
    takesValue: /^--(library-path|preload|argv0|audit|inhibit-rpath)$/,
  },
};

const NAMES: [RegExp, InterpreterKind][] = [
  [/^(ba|da|a|z|k|mk|po|)sh$/, 'shell'],
  [/^python[0-9.]*$/, 'python'],
  [/^(node|nodejs)$/, 'node'],
  [/^perl[0-9.]*$/, 'perl'],
  [/^ruby[0-9.]*$/, 'ruby'],
  [/^php[0-9.]*(-cli)?$/, 'php'],
  [/^(ld-linux.*\.so(\.\d+)*|ld-musl-.*\.so(\.\d+)*|ld\.so)$/, 'loader'],
];

/**
 * The interpreter a command line runs, from the executed file's name or, for multi-call
 * binaries such as busybox (`sh` is a link to `/bin/busybox`), from argv[0].
 */
export function interpreterOf(exe: string, args: string[]): InterpreterKind | null {
  for (const name of [path.basename(exe), path.basename(args[0] ?? '')]) {
    for (const [pattern, kind] of NAMES) if (pattern.test(name)) return kind;
  }
  return null;
}

/** `busybox sh x.sh` runs the applet named by the next argument: argv as the applet sees it. */
export function appletArgs(args: string[]): string[] {
  return path.basename(args[0] ?? '') === 'busybox' ? args.slice(1) : args;
}

/**
 * The file an interpreter is asked to run: the first operand after its options (`sh -e
 * /tmp/x.sh`, `python3 -u x.py`, `ld-linux-x86-64.so.2 /tmp/minerd`); null for inline code
 * (`bash -c 'echo hi'`, `python3 -c ...`, `node -e ...`) and for reading stdin.
 */
export function scriptArgument(kind: InterpreterKind, args: string[]): string | null {
  const grammar = GRAMMARS[kind];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return args[i + 1] ?? null;
    if (grammar.inline.test(arg)) return null;
    if (grammar.takesValue.test(arg)) {
      i++;
      continue;
    }
    if ((arg.startsWith('-') || (kind === 'shell' && arg.startsWith('+'))) && arg.length > 1) {
      continue;
    }
    return arg;
  }
  return null;
}
