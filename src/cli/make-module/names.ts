/** The spellings one module name needs in generated code. */
export interface Names {
  /** snake_case, as typed: table, resource, folder (`delivery_zones`) */
  module: string
  /** camelCase: table constant, service variable (`deliveryZones`) */
  camel: string
  /** PascalCase: factories (`DeliveryZones`) */
  pascal: string
  /** PascalCase singular: the record type (`DeliveryZone`) */
  entity: string
  /** camelCase singular (`deliveryZone`) */
  entityCamel: string
  /** words, singular, for messages (`delivery zone`) */
  label: string
  /** URL segment (`delivery-zones`) */
  path: string
}

export const camel = (snake: string) =>
  snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
export const upperFirst = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`

export function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (/(s|x|z|ch|sh)es$/.test(word)) return word.slice(0, -2)
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1)
  return word
}

export function namesOf(module: string): Names {
  const entitySnake = singular(module)
  return {
    module,
    camel: camel(module),
    pascal: upperFirst(camel(module)),
    entity: upperFirst(camel(entitySnake)),
    entityCamel: camel(entitySnake),
    label: entitySnake.replaceAll('_', ' '),
    path: module.replaceAll('_', '-'),
  }
}
