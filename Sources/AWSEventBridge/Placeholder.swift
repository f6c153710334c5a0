import AWSCore
