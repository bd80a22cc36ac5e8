import type { ThreatDetail } from '@driftlock/protocol';
import { Button, Checkbox, Modal, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useCan } from '../../auth/session';
import { ErrorAlert, Mono } from '../../ui/page';
import { useCreateException } from '../policy/queries';

/** Turns a false positive into a policy exception: the file (by sha256 and/or path) may run. */
export function CreateExceptionButton({ threat }: { threat: ThreatDetail }) {
  const canWrite = useCan('policy:write');
  const [open, setOpen] = useState(false);
  if (!canWrite) return null;
  const falsePositive = threat.verdict === 'false_positive';
  return (
    <>
      <Button
        size="xs"
        variant={falsePositive ? 'filled' : 'default'}
        color={falsePositive ? 'teal' : undefined}
        onClick={() => setOpen(true)}
        data-testid="create-exception"
      >
        Create exception
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Allow this file to run" size="lg">
        {open && <ExceptionForm threat={threat} onDone={() => setOpen(false)} />}
      </Modal>
    </>
  );
}

function ExceptionForm({ threat, onDone }: { threat: ThreatDetail; onDone: () => void }) {
  const create = useCreateException();
  const navigate = useNavigate();
  const sha256 = threat.file.sha256;
  const [bySha, setBySha] = useState(sha256 !== null);
  const [byPath, setByPath] = useState(sha256 === null);
  const [comment, setComment] = useState(
    `False positive: ${threat.commandLine}${threat.namespace ? ` in ${threat.namespace}` : ''}`,
  );
  const submit = () =>
    create.mutate(
      {
        sha256: bySha ? sha256 : null,
        path: byPath ? threat.file.path : null,
        comment: comment.trim(),
        threatId: threat.id,
      },
      {
        onSuccess: () => {
          notifications.show({
            color: 'green',
            message: 'Exception created',
          });
          onDone();
          navigate('/policy');
        },
      },
    );
  return (
    <Stack gap="sm">
      <Text size="sm">
        Exceptions apply fleet-wide: a matching file runs even where protection is on. Match by
        content (sha256) where you can; a path alone allows anything written there.
      </Text>
      <Checkbox
        label={
          <>
            sha256 <Mono>{sha256 ?? 'unknown'}</Mono>
          </>
        }
        disabled={sha256 === null}
        checked={bySha}
        onChange={(e) => setBySha(e.currentTarget.checked)}
        data-testid="exception-by-sha256"
      />
      <Checkbox
        label={
          <>
            path <Mono>{threat.file.path}</Mono>
          </>
        }
        checked={byPath}
        onChange={(e) => setByPath(e.currentTarget.checked)}
        data-testid="exception-by-path"
      />
      <Textarea
        label="Why"
        autosize
        minRows={2}
        maxLength={1000}
        value={comment}
        onChange={(e) => setComment(e.currentTarget.value)}
        data-testid="exception-comment"
      />
      {create.error && <ErrorAlert error={create.error} title="Exception not created" />}
      <Button
        onClick={submit}
        loading={create.isPending}
        disabled={!bySha && !byPath}
        data-testid="exception-submit"
      >
        Create exception
      </Button>
    </Stack>
  );
}
