"""Service: answer questions over HTTP and in a chat page, citing exact source passages."""
