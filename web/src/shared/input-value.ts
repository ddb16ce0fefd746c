/** What an input event's field holds now (Preact's events are the DOM's, loosely typed). */
export const inputValue = (e: Event): string => (e.currentTarget as HTMLInputElement).value;
