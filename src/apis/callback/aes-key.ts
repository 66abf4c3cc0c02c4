/** The EncodingAESKey's shape, apart from the cipher so configuration can check it at start without loading it. */
export const ENCODING_AES_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;
