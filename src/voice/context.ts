import { commandCode, type CommandName } from "../commands/commands.js";

export interface VoiceOptions {
  /** The name people mention (@name) and command (/name), BOT_NAME. */
  botName: string;
  /** Where people buy credits: `${publicUrl}/billing`. */
  publicUrl: string;
}

/** What every part of the voice says the same way: a command, the billing pages. */
export function voiceContext({ botName, publicUrl }: VoiceOptions) {
  return {
    botName,
    command: (name: CommandName) => commandCode(botName, name),
    billingUrl: `${publicUrl}/billing`,
  };
}
export type VoiceContext = ReturnType<typeof voiceContext>;
