/**
 * Sends one file as `multipart/form-data` with XMLHttpRequest, the one browser API that reports
 * upload progress. Answers the status and the parsed body.
 */
export function uploadFile(
  url: string,
  file: File,
  accessToken: string | undefined,
  onProgress: (fraction: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest()
    request.open('POST', url)
    if (accessToken) request.setRequestHeader('authorization', `Bearer ${accessToken}`)
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    request.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(request.responseText)
      } catch {
        body = undefined
      }
      resolve({ status: request.status, body })
    }
    request.onerror = () => reject(new Error('The upload did not reach the server'))
    const form = new FormData()
    form.append('file', file)
    request.send(form)
  })
}
