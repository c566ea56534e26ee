/** GSM 03.38's basic set: one septet each. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
/** Its extension table: an escape septet plus one, so two each. */
const GSM_EXTENDED = '^{}\\[~]|€\f'

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2'
  /** Characters as the encoding counts them (septets, or UTF-16 code units). */
  units: number
  segments: number
}

/**
 * How an SMS text travels: GSM-7 when every character is in the GSM set (160 septets in one
 * message, 153 per part when split), else UCS-2 (70 code units, 67 per part).
 */
export function smsLength(text: string): SmsLength {
  let septets = 0
  for (const character of text) {
    if (GSM_BASIC.includes(character)) septets += 1
    else if (GSM_EXTENDED.includes(character)) septets += 2
    else {
      const units = text.length
      return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) }
    }
  }
  return {
    encoding: 'GSM-7',
    units: septets,
    segments: septets === 0 ? 0 : septets <= 160 ? 1 : Math.ceil(septets / 153),
  }
}

/** An example of each variable the app's SMS templates receive (2fa_code, password_reset). */
export const SAMPLE_VARIABLES: Record<string, string> = { code: '482913' }

/** `{{ name }}` replaced by the sample value (or left visible when there is none). */
export function renderPreview(content: string, variables = SAMPLE_VARIABLES): string {
  return content.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (whole, name: string) =>
    name in variables ? (variables[name] as string) : whole,
  )
}
