import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import {
  bundleFileBytes,
  checkBundleFile,
  contentCommitmentDetail,
  importPublicKey,
  verifyCommitment,
  type EvidenceBundle,
} from '@retract/server';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { print } from '../client/output.js';
import { verifyLogCommand } from './audit-verify.js';
import { action } from './run.js';

/** The tamper-evident audit log: verify it offline, verify and export evidence, sign checkpoints. */
export function auditCommand(program: Command, env: Environment): void {
  const audit = program
    .command('audit')
    .description(
      'The tamper-evident audit log: verify it, export and verify evidence bundles (docs/audit.md)',
    );

  audit
    .command('verify')
    .description(
      'Verify a whole audit log offline, from a (copy of a) data directory: every entry, every checkpoint. ' +
        'Exits 1 naming the first bad index or the checkpoint that no longer matches',
    )
    .option(
      '-d, --data-dir <dir>',
      'the data directory holding retract.db (env RETRACT_DATA, default ./data)',
    )
    .option(
      '--public-key <key-or-file>',
      'the signing key (base64) or a file holding it; default DIR/audit/signing.pub — better one kept elsewhere',
    )
    .option(
      '--checkpoints <file>',
      'checkpoint file (JSON lines) to check too; default DIR/audit/checkpoints.jsonl — better a shipped copy',
    )
    .action(
      action(async (options) => {
        process.exitCode = await verifyLogCommand({
          dataDir: (options['dataDir'] as string | undefined) ?? env.dataDir ?? './data',
          publicKey: options['publicKey'] as string | undefined,
          checkpointFile: options['checkpoints'] as string | undefined,
          json: options.json,
        });
      }),
    );

  audit
    .command('verify-bundle')
    .description(
      'Verify an evidence bundle file offline with nothing else: signature, inclusion proofs, the file ' +
        'itself; with --content and --salt, also the recalled text against its logged commitment',
    )
    .argument('<file>', 'the bundle, as `retract audit export` wrote it')
    .option('--public-key <key-or-file>', 'require the bundle to be signed by this key (base64, or a file)')
    .option('--content <text>', 'the original text of a recalled message, to check against its commitment')
    .option('--salt <hex>', 'the commitment salt the recall returned (64 hex characters)')
    .option('--message <id>', 'which recalled message --content is (default: any in the bundle)')
    .action(
      action(async (options, file: string) => {
        const content = options['content'] as string | undefined;
        const salt = options['salt'] as string | undefined;
        if ((content === undefined) !== (salt === undefined))
          throw new Error('give --content and --salt together');
        const key = options['publicKey'] as string | undefined;
        const check = checkBundleFile(
          readFileSync(file),
          key === undefined ? {} : { trustedKeys: keyFrom(key) },
        );
        const opened =
          check.ok && check.bundle !== null && content !== undefined && salt !== undefined
            ? openCommitment(check.bundle, content, salt, options['message'] as string | undefined)
            : null;
        const ok = check.ok && (opened === null || opened.ok);
        print(
          options.json,
          { ok, problems: check.problems, entries: check.entries, commitment: opened },
          () => describeBundleCheck(file, check, opened),
        );
        process.exitCode = ok ? 0 : 1;
      }),
    );

  audit
    .command('export')
    .description('Export an evidence bundle for a message or a conversation you can see (signed in)')
    .option('--message <id>', 'the message')
    .option('--conversation <id>', 'the conversation')
    .option('-o, --out <file>', 'write the bundle here (default: standard output)')
    .action(
      action(async (options) => {
        const messageId = options['message'] as string | undefined;
        const conversationId = options['conversation'] as string | undefined;
        if ((messageId === undefined) === (conversationId === undefined)) {
          throw new Error('give exactly one of --message and --conversation');
        }
        const bundle = await signedInClient(options, env).client.http.auditEvidence(
          messageId !== undefined ? { messageId } : { conversationId: conversationId as string },
        );
        // Written as exported: canonical JSON, which verify-bundle checks byte for byte.
        const bytes = bundleFileBytes(bundle as EvidenceBundle);
        const out = options['out'] as string | undefined;
        if (out === undefined) {
          process.stdout.write(bytes);
          return;
        }
        writeFileSync(out, bytes);
        print(
          options.json,
          { file: out, entries: bundle.entries.length, checkpoint: bundle.checkpoint },
          () =>
            `wrote ${out}: ${bundle.entries.length} entries, checkpoint of size ${bundle.checkpoint.treeSize} ` +
            `signed by ${bundle.checkpoint.keyId}`,
        );
      }),
    );

  audit
    .command('checkpoint')
    .description('Sign an audit checkpoint now (server admins), e.g. before copying the log elsewhere')
    .action(
      action(async (options) => {
        const { checkpoint } = await signedInClient(options, env).client.http.signAuditCheckpoint();
        print(
          options.json,
          checkpoint,
          () =>
            `signed checkpoint: size ${checkpoint.treeSize}, root ${checkpoint.rootHash}, ` +
            `${checkpoint.issuedAt}, key ${checkpoint.keyId}`,
        );
      }),
    );
}

function keyFrom(value: string) {
  const text = /^[A-Za-z0-9+/]{43}=$/.test(value) ? value : readFileSync(value, 'utf8').trim();
  return importPublicKey(text);
}

interface OpenedCommitment {
  readonly ok: boolean;
  /** The recalled message whose logged commitment the text and salt open. */
  readonly messageId: string | null;
  readonly checked: number;
}

/** Checks the text against the commitments in the bundle's proven recall entries (not the unsigned list). */
function openCommitment(
  bundle: EvidenceBundle,
  content: string,
  salt: string,
  messageId: string | undefined,
): OpenedCommitment {
  const candidates = bundle.entries.flatMap(({ entry }) => {
    const commitment = entry.details?.[contentCommitmentDetail];
    const id = entry.target.messageId;
    return entry.kind === 'message.recalled' &&
      typeof commitment === 'string' &&
      id !== undefined &&
      (messageId === undefined || id === messageId)
      ? [{ id, commitment }]
      : [];
  });
  const match = candidates.find((c) => verifyCommitment(c.commitment, content, salt));
  return { ok: match !== undefined, messageId: match?.id ?? null, checked: candidates.length };
}

function describeBundleCheck(
  file: string,
  check: ReturnType<typeof checkBundleFile>,
  opened: OpenedCommitment | null,
): string {
  const lines: string[] = [];
  const bundle = check.bundle;
  if (bundle !== null) {
    const cp = bundle.checkpoint;
    lines.push(
      `${file}: ${bundle.entries.length} entries, checkpoint of size ${cp.treeSize} (root ${cp.rootHash}) ` +
        `issued ${cp.issuedAt} by key ${cp.keyId}`,
    );
    for (const { entry } of bundle.entries) {
      const who = entry.actor.userId ?? 'the server';
      const what = entry.target.messageId ?? entry.target.userId ?? entry.target.conversationId ?? '';
      lines.push(`  #${entry.index} ${entry.at} ${entry.kind} ${what} by ${who} (${entry.actor.role})`);
    }
  }
  if (!check.ok) {
    lines.push(pc.red('FAILED: the bundle does not verify'));
    for (const problem of check.problems) lines.push(`  ${problem}`);
    return lines.join('\n');
  }
  lines.push(pc.green(`OK: ${check.entries} entries proven in the signed log`));
  if (opened !== null) {
    lines.push(
      opened.ok
        ? pc.green(`OK: the text and salt match the commitment logged for ${opened.messageId ?? ''}`)
        : pc.red(
            `FAILED: the text and salt match none of the ${opened.checked} commitment(s) logged in this bundle`,
          ),
    );
  }
  return lines.join('\n');
}
