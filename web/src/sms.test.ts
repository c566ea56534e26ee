import { describe, expect, it } from 'vitest'
import { renderPreview, smsLength } from './sms.ts'

describe('smsLength', () => {
  it('counts GSM-7 septets: 160 in one message, 153 per part beyond', () => {
    expect(smsLength('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 })
    expect(smsLength('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 })
    expect(smsLength('a'.repeat(306)).segments).toBe(2)
    expect(smsLength('a'.repeat(307)).segments).toBe(3)
    expect(smsLength('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 })
  })

  it('counts the extension characters twice', () => {
    expect(smsLength('€[]').units).toBe(6)
    expect(smsLength('{'.repeat(80)).segments).toBe(1)
    expect(smsLength('{'.repeat(81)).segments).toBe(2)
  })

  it('switches to UCS-2 for any other character: 70 in one, 67 per part', () => {
    expect(smsLength('Your code is 123456 ✓')).toEqual({
      encoding: 'UCS-2',
      units: 21,
      segments: 1,
    })
    expect(smsLength(`ü${'ł'.repeat(70)}`)).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 })
    expect(smsLength('🍔'.repeat(35)).units).toBe(70)
  })
})

describe('renderPreview', () => {
  it('fills the known variables and leaves the unknown visible', () => {
    expect(
      renderPreview('Code {{ code }} for {{user}} {{ other }}', { code: '1', user: 'ana' }),
    ).toBe('Code 1 for ana {{ other }}')
  })
})
