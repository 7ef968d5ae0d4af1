// Shared bits of text. Text always goes through text nodes: remote data is never parsed as HTML.

/** Visually hidden text for screen readers. */
export function SrOnly({ text }: { text: string }) {
  return <span class="sr-only">{text}</span>;
}

/**
 * An error next to a control. The role="alert" element only exists while there is a message, so an empty alert
 * never lingers; keyed by its text, so a new message is a new element and is announced.
 */
export function Alert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p key={message} role="alert" class="alert">
      {message}
    </p>
  );
}
