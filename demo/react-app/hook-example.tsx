import { useState, type FormEvent, type ReactElement } from 'react';
import { AiStreamMarkdown, useAIStream } from '../../widget/react/index.js';

/** A hand-made UI on `useAIStream`: a form, the growing answer rendered as markdown (safely), token count and Cancel. */
export function HookExample(): ReactElement {
  const [prompt, setPrompt] = useState('What does the useAIStream hook give me?');
  const { streaming, text, error, tokenCount, usage, startStream, cancel } = useAIStream({
    endpoint: '/api/chat/stream',
  });

  function onSubmit(event: FormEvent<HTMLFormElement>): void {
    event.preventDefault();
    if (prompt.trim()) void startStream(prompt);
  }

  return (
    <section className="panel" aria-labelledby="hook-title">
      <h2 id="hook-title">useAIStream</h2>
      <p className="hint">Your own markup; the hook streams the text into React state once per frame.</p>
      <form className="hook-form" onSubmit={onSubmit}>
        <input aria-label="Prompt" value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        {streaming ? (
          <button type="button" onClick={cancel}>
            Cancel
          </button>
        ) : (
          <button type="submit">Ask</button>
        )}
      </form>
      <div className="hook-output" aria-live="off" data-testid="hook-output">
        <AiStreamMarkdown text={text} streaming={streaming} />
      </div>
      <p className="hook-meta" role="status">
        {streaming ? `Streaming… ${tokenCount} tokens` : usage ? `${usage.completionTokens} tokens (${usage.totalTokens} with the prompt)` : ' '}
      </p>
      {error ? (
        <p className="hook-meta hook-error" role="alert">
          {error.message}
        </p>
      ) : null}
    </section>
  );
}
