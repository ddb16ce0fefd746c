import { runwayText, type Runway } from "./runway-text";

export function RunwayNote({ runway, balance }: { runway: Runway; balance: number }) {
  return (
    <p class="runway" data-testid="runway">
      {runwayText(runway, balance, new Date())}
    </p>
  );
}
