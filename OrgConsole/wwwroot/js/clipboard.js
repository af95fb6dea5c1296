// Copies text to the clipboard; the returned promise rejects when the browser refuses (the caller says so).
export function copyText(text) {
    return navigator.clipboard.writeText(text);
}
