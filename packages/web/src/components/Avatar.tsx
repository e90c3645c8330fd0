import { avatarColor, initials } from '../lib/avatar.js';

/** Initials on a colour derived from the id; decorative, since the name is always written next to it. */
export function Avatar({ id, name, size = 40 }: { id: string; name: string; size?: number }) {
  return (
    <span
      class="avatar"
      aria-hidden="true"
      style={{
        background: avatarColor(id),
        width: `${size}px`,
        height: `${size}px`,
        fontSize: `${Math.round(size * 0.4)}px`,
      }}
    >
      {initials(name)}
    </span>
  );
}
