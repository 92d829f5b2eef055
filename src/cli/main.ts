#!/usr/bin/env node
// The `stylelab` command. Every failure is one line on stderr, `stylelab: error: <message>`, with exit
// code 1 (2 for a malformed command line); --verbose adds the stack trace.
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

/** A message on one line (some library and runtime messages span several). */
function oneLine(message: string): string {
  return message.split('\n').map((s) => s.trim()).filter(Boolean).join(' ') || 'unknown error';
}

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const program = buildProgram((msg) => process.stderr.write(`stylelab: error: ${oneLine(msg.replace(/^error:\s*/, ''))}\n`));
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version end here too (exit code 0); usage errors were already printed by buildProgram's hook.
      return e.exitCode === 0 ? 0 : 2;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    process.stderr.write(`stylelab: error: ${oneLine(err.message)}\n`);
    if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
    return 1;
  }
}

// Ctrl-C and kill are handled between steps (files are written synchronously), so an interrupted run
// leaves no temporary file behind.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(signal, () => {
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}stylelab: error: interrupted\n`);
    process.exit(code);
  });
}

process.exitCode = await main(process.argv);
