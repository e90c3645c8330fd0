import { text } from 'node:stream/consumers';

/** A password from --password, or from standard input with --password-stdin (keeps it out of `ps`). */
export async function readPassword(options: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (options.password !== undefined) return options.password;
  if (options.passwordStdin) return (await text(process.stdin)).replace(/\r?\n$/, '');
  throw new Error('give the password with --password or --password-stdin');
}
