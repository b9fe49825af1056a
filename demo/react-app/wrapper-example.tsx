import { useState, type ReactElement } from 'react';
import { AiStreamChatReact } from '../../widget/react/index.js';

/** The element through its React wrapper: props in, typed events out. */
export function WrapperExample(): ReactElement {
  const [lastUsage, setLastUsage] = useState('No answer yet.');
  return (
    <section className="panel" aria-labelledby="wrapper-title">
      <h2 id="wrapper-title">AiStreamChatReact</h2>
      <p className="hint">The element as a React component, with typed event callbacks.</p>
      <AiStreamChatReact
        heading="React wrapper"
        placeholder="Ask through React…"
        onDone={(event) =>
          setLastUsage(`Last answer: ${event.usage.completionTokens} tokens${event.tokensPerSecond ? `, ${Math.round(event.tokensPerSecond)} tokens/s` : ''}.`)
        }
      />
      <p className="hook-meta" data-testid="wrapper-usage">
        {lastUsage}
      </p>
    </section>
  );
}
